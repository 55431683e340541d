"""Pages as a browser ends up showing them, for tests that read what an agent sees."""


def ticket_page(client, number: int) -> str:
    """The ticket page and the sidebar it fetches as soon as it is shown (customer, fields, time,
    other tickets), as one text: what the agent has in front of them a moment after opening it."""
    page = client.get(f"/tickets/{number}/")
    assert page.status_code == 200, page.status_code
    sidebar = client.get(f"/tickets/{number}/sidebar/", headers={"HX-Request": "true"})
    assert sidebar.status_code == 200, sidebar.status_code
    return page.content.decode() + sidebar.content.decode()
