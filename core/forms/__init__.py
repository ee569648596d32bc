"""Forms are data: one definition (core fields + the tenant's plugin fields) drives API validation,
the form definition endpoint, page rendering and export columns."""
