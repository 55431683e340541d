"""Connection-level set-up that settings cannot express."""
