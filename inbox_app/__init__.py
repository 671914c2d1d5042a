"""Agent Inbox: a desktop SMS inbox for contact-center agents and supervisors."""

__version__ = "0.1.0"
