"""Channel-layer group names of live chat (valid names: ASCII letters, digits, ``-_.``)."""


def visitor_group(visitor_id: int) -> str:
    """Every socket (tab) of one visitor."""
    return f"chat.visitor.{visitor_id}"


def conversation_group(conversation_id: int) -> str:
    """Every agent socket following one conversation."""
    return f"chat.conv.{conversation_id}"


def department_group(department_id: int | None) -> str:
    """Agents ringing for a department's queue, and supervisors."""
    return f"chat.dept.{department_id or 'none'}"


def inbox_group(inbox_id: int) -> str:
    """Agents watching the visitors on the site now."""
    return f"chat.inbox.{inbox_id}"
