"""One conversation, two server processes: the visitor on one, the agent on the other, frames
crossing through the Redis channel layer. Real uvicorn processes on free ports, a shared data
directory (SQLite) and Redis."""

import json
import subprocess
import sys
import time
import urllib.request

import pytest

from pomoc.testing.services import free_port, pomoc, pomoc_env, redis_reachable, redis_url, require_service

pytestmark = pytest.mark.slow

SITE = "https://shop.example.com"
SETUP = """
import json
from django.test import Client
from pomoc.accounts.models import AgentPresence, Department, Role, User
from pomoc.channels.chat import services
from pomoc.channels.chat.models import Conversation
from pomoc.channels.models import Inbox
department = Department.objects.create(name="Sales")
agent = User.objects.create_user(username="agent", password="x-Pass-word-1", role=Role.AGENT, first_name="Ana")
department.members.add(agent)
AgentPresence.objects.create(user=agent, status="online")
inbox = Inbox.objects.create(name="Shop chat", kind="chat", department=department,
                             config={"allowed_origins": ["SITE"]})
opened = services.session_open(inbox=inbox)
services.visitor_message(visitor=opened.visitor, client_id="c-1", body="First")
client = Client()
client.force_login(agent)
print(json.dumps({"key": services.inbox_key(inbox), "token": opened.token, "session": client.cookies["sessionid"].value,
                  "conversation": Conversation.objects.get().pk}))
""".replace("SITE", SITE)


def _serve(env: dict, port: int) -> subprocess.Popen:
    process = subprocess.Popen(  # noqa: S603 -- our own interpreter and arguments
        [sys.executable, "-m", "uvicorn", "pomoc.asgi:application", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "uvicorn exited"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):  # noqa: S310
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    pytest.fail("uvicorn did not start")


def _next(socket, kind: str, **match) -> dict:
    while True:
        frame = json.loads(socket.recv(timeout=20))
        if frame.get("type") == kind and all(frame.get(k) == v for k, v in match.items()):
            return frame


def test_visitor_and_agent_on_two_processes_sharing_redis(tmp_path):
    from websockets.sync.client import connect

    url = redis_url()
    require_service(f"Redis at {url}", redis_reachable(url), hint="set REDIS_URL or start Redis")
    visitor_port, agent_port = free_port(), free_port()
    env = pomoc_env(tmp_path, REDIS_URL=url, POMOC_BASE_URL=f"http://127.0.0.1:{agent_port}",
                    ALLOWED_HOSTS="127.0.0.1,localhost")
    pomoc("migrate", "--verbosity", "0", env=env)
    chat = json.loads(pomoc("shell", "-c", SETUP, env=env).stdout.strip().splitlines()[-1])
    servers = [_serve(env, visitor_port), _serve(env, agent_port)]
    try:
        with connect(f"ws://127.0.0.1:{visitor_port}/ws/chat/{chat['key']}/?token={chat['token']}",
                     origin=SITE, open_timeout=10) as visitor, \
                connect(f"ws://127.0.0.1:{agent_port}/ws/chat-agent/{chat['conversation']}/",
                        origin=f"http://127.0.0.1:{agent_port}", open_timeout=10,
                        additional_headers={"Cookie": f"sessionid={chat['session']}"}) as agent:
            agent.send(json.dumps({"type": "hello", "after": 0}))
            assert _next(agent, "message")["seq"] == 1
            _next(agent, "status")
            visitor.send(json.dumps({"type": "hello", "after": 1}))
            _next(visitor, "status")

            visitor.send(json.dumps({"type": "message", "client_id": "c-2", "body": "From process one"}))
            assert _next(visitor, "ack")["seq"] == 2
            crossed = _next(agent, "message", seq=2)
            assert (crossed["author"], crossed["body"]) == ("visitor", "From process one")

            agent.send(json.dumps({"type": "typing", "on": True}))
            assert _next(visitor, "typing")["on"] is True
            agent.send(json.dumps({"type": "message", "client_id": "a-1", "body": "Answered on process two"}))
            reply = _next(visitor, "message", author="agent")
            assert (reply["seq"], reply["body"]) == (3, "Answered on process two")
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=20)
