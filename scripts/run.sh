#!/usr/bin/env bash
# Starts the action server, the NLU worker, the Rasa server (REST + socket.io channels, HTTP API with a token) and
# the agent console, and stops them all on Ctrl-C or when one of them exits.
# Ports: RASA_PORT (5005), ACTION_PORT (5055), CONSOLE_PORT (5006), NLU_PORT (5007, on 127.0.0.1 only).
# The HTTP API token comes from RASA_API_TOKEN; when it is unset a fresh one is generated and printed.
# The NLU worker (addons/nlu_server.py) parses messages in a process of its own, so turns use both cores; the
# Rasa server reaches it through the `nlu` endpoint with a token made for this run.
set -euo pipefail
cd "$(dirname "$0")/.."

RASA_PORT=${RASA_PORT:-5005}
ACTION_PORT=${ACTION_PORT:-5055}
CONSOLE_PORT=${CONSOLE_PORT:-5006}
NLU_PORT=${NLU_PORT:-5007}
fresh_token() { .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(24))'; }
if [ -z "${RASA_API_TOKEN:-}" ]; then
    RASA_API_TOKEN=$(fresh_token)
    token_note="generated for this run; set RASA_API_TOKEN to choose your own"
else
    token_note="from RASA_API_TOKEN"
fi
mkdir -p var

# endpoints.yml plus the NLU worker; Rasa fills in ${LARKSPUR_NLU_TOKEN} from the environment when it reads this.
endpoints=var/endpoints.run.yml
sed "s#http://localhost:5055/webhook#http://localhost:${ACTION_PORT}/webhook#" endpoints.yml > "$endpoints"
printf '\nnlu:\n  url: "http://127.0.0.1:%s"\n  token: ${LARKSPUR_NLU_TOKEN}\n' "$NLU_PORT" >> "$endpoints"
LARKSPUR_NLU_TOKEN=$(fresh_token)
export LARKSPUR_NLU_TOKEN

credentials=credentials.yml
if [ "$CONSOLE_PORT" != 5006 ]; then
    # The shop page is served on the console's port: let that origin use the widget's socket.io channel.
    credentials=var/credentials.run.yml
    sed "s#:5006\"#:${CONSOLE_PORT}\"#g" credentials.yml > "$credentials"
fi

pids=()
stop() {
    trap - INT TERM EXIT
    echo
    echo "Stopping the assistant..."
    kill "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
}
trap stop INT TERM EXIT

.venv/bin/rasa run actions --port "$ACTION_PORT" >var/actions.log 2>&1 &
pids+=($!)
.venv/bin/python -m addons.nlu_server --model models --port "$NLU_PORT" >var/nlu.log 2>&1 &
pids+=($!)
.venv/bin/rasa run --enable-api --auth-token="$RASA_API_TOKEN" --port "$RASA_PORT" \
    --endpoints "$endpoints" --credentials "$credentials" --model models >var/rasa.log 2>&1 &
pids+=($!)
RASA_URL="http://localhost:${RASA_PORT}" RASA_API_TOKEN="$RASA_API_TOKEN" \
    .venv/bin/python -m console serve --port "$CONSOLE_PORT" >var/console.log 2>&1 &
pids+=($!)

echo "Starting the assistant (logs: var/rasa.log, var/nlu.log, var/actions.log, var/console.log)..."
.venv/bin/python -m tools.servers wait "http://localhost:${RASA_PORT}/" "http://localhost:${ACTION_PORT}/health" \
    "http://127.0.0.1:${NLU_PORT}/status" "http://localhost:${CONSOLE_PORT}/login" --timeout 180 \
    || { echo "The servers did not start; see var/rasa.log, var/nlu.log, var/actions.log and var/console.log." >&2
         exit 1; }
if .venv/bin/python -m console list-agents 2>/dev/null | grep -q "^No agents"; then
    agent_note="no agents yet: create one with  .venv/bin/python -m console add-agent sam --name \"Sam Lee\""
else
    agent_note="log in with an agent account (.venv/bin/python -m console list-agents)"
fi
cat <<MSG

  Larkspur assistant is running.
    Chat (REST):    curl -s localhost:${RASA_PORT}/webhooks/rest/webhook -d '{"sender": "me", "message": "hi"}'
    Chat (socket):  http://localhost:${RASA_PORT}/socket.io
    HTTP API token: ${RASA_API_TOKEN}  (${token_note})
    Actions:        http://localhost:${ACTION_PORT}/webhook
    NLU worker:     http://127.0.0.1:${NLU_PORT}/status  (parses messages for the Rasa server)
    Shop page:      http://localhost:${CONSOLE_PORT}/shop/  (the chat widget; ?name=Ana plays a signed-in customer)
    Agent console:  http://localhost:${CONSOLE_PORT}/  (${agent_note})
  Press Ctrl-C to stop.

MSG
wait -n "${pids[@]}"
