"""Server-rendered storefront and admin pages."""
