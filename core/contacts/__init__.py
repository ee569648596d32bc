"""Contacts: people, their organization and position, how to reach them and their consent."""
