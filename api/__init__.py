"""CORE: the customer information system of a managed-hosting company."""
