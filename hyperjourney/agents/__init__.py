"""The five agents (Researcher, Copywriter, Orchestrator, Tone, Analyst): one module each, see DESIGN.md."""
