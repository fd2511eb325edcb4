"""Reports for planners: county pages and workbooks, the summary page, gap lists and siting outputs."""
