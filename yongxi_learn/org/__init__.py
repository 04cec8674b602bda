"""Units (the OrgUnit tree) and people: models, services, admin pages, XLSX import."""
