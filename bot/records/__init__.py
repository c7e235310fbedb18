"""Records where the company works: Jira follow-ups, Confluence review pages, outgoing webhooks, the read API.

    events.py      which timeline facts become which outgoing events and Jira/Confluence jobs (the outbox)
    webhooks.py    the event body and its signature;  delivery.py  sending it, in order, with retries
    jira.py        the Jira Cloud REST v3 client;       issues.py    ADF descriptions, Jira's webhook, links
    confluence.py  the Confluence Cloud REST v2 client; storage.py   the review in storage format, escaped
    effects.py     the Jira and Confluence job kinds
    api.py         the read API's queries;              openapi.py   its OpenAPI 3 description
"""
