from core.records.api import record_controller
from core.topics.service import TopicService

TopicController = record_controller("/topics", TopicService, "Topics")
