from core.contacts.service import ContactService
from core.records.api import record_controller

ContactController = record_controller("/contacts", ContactService, "Contacts")
