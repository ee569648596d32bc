from core.organizations.service import OrganizationService
from core.records.api import record_controller

OrganizationController = record_controller("/organizations", OrganizationService, "Organizations")
