"""Automation: canned responses, macros, rules, SLAs and follow-ups (each a Django app below this
package), and what they share: the placeholders of texts written for customers."""
