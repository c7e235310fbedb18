"""The post-incident review: the review and its form, action items, reminders and the document."""
