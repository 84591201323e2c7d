"""Running template.yaml on one machine: a template reader and a moto-backed stack. Used by the
integration tests and the local stack; never imported by a deployed function."""
