"""LangGraph graphs (supervisor, support copilot), built by factories that take their dependencies."""
