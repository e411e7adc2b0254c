"""Request and response shapes of the API, one module per resource. Create shapes forbid
unknown fields, so a typo is an error rather than silently ignored."""
