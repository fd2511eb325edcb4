"""The planner map app (Streamlit): page, panels and the workspace behind them."""
