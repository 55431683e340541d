// Pomoc agent UI behaviour that is not htmx attributes. Loaded on every page (CSP: no inline JS).
