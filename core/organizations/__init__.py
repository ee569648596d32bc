"""Organizations: ministries, NGOs, academia, companies… and the stakeholder side each belongs to."""
