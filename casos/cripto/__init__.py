"""Field encryption: master keys, per-case data keys, blind indexes."""
