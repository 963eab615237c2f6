"""Government organizations (departments) as a tree bound to regions."""
