"""Time spent on tickets: read the entries (measured and added by hand), add one by hand."""

import datetime as dt

from ninja import Router, Schema
from ninja import Status as HttpStatus
from pydantic import Field

from pomoc.api.schemas import ERRORS, In, Line, UserRef, require_staff, user_ref
from pomoc.tickets import permissions
from pomoc.timetracking import selectors, services
from pomoc.timetracking.services import MAX_MANUAL_MINUTES

router = Router(tags=["time"])


class TimeEntryOut(Schema):
    id: int
    agent: UserRef
    source: str = Field(description="`tracked`: measured from the agent's activity on the ticket page; "
                                    "`manual`: added by hand.")
    seconds: int
    started_at: dt.datetime
    last_activity_at: dt.datetime | None = Field(description="Measured entries: the last report of activity.")
    note: str


class TicketTimeOut(Schema):
    total_seconds: int = Field(description="The ticket's handle time: all entries of all agents.")
    items: list[TimeEntryOut]


class TimeEntryIn(In):
    minutes: int = Field(ge=1, le=MAX_MANUAL_MINUTES, description="Whole minutes spent.")
    note: Line = Field("", max_length=200)


def entry_out(entry) -> dict:
    return {"id": entry.pk, "agent": user_ref(entry.agent), "source": entry.source, "seconds": entry.seconds,
            "started_at": entry.started_at, "last_activity_at": entry.last_activity_at, "note": entry.note}


@router.get("/tickets/{int:number}/time-entries", response={200: TicketTimeOut, **ERRORS},
            summary="Time spent on a ticket")
def ticket_time_entries(request, number: int):
    require_staff(request.auth)
    ticket = permissions.access_ticket_by_number(request.auth, number)
    items = [entry_out(e) for e in selectors.ticket_entries(ticket)]
    return {"total_seconds": sum(item["seconds"] for item in items), "items": items}


@router.post("/tickets/{int:number}/time-entries", response={201: TimeEntryOut, **ERRORS},
             summary="Add time spent by hand")
def add_time_entry(request, number: int, payload: TimeEntryIn):
    require_staff(request.auth)
    ticket = permissions.access_ticket_by_number(request.auth, number)
    permissions.require_can_work_on(request.auth, ticket)
    entry = services.time_entry_add(ticket=ticket, agent=request.auth, minutes=payload.minutes, note=payload.note)
    return HttpStatus(201, entry_out(entry))



