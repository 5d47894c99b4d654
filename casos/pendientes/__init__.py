"""What is due and late: the page, the scheduled report, and the list both read."""
