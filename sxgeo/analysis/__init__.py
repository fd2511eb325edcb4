"""Analysis of loaded layers: indicators, walking access, target evaluation, scenarios and siting."""
