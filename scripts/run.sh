#!/usr/bin/env bash
# Starts the action server, the NLU worker, the Rasa server (REST + socket.io channels, HTTP API with a token) and
# the agent console, and stops them all on Ctrl-C or when one of them exits.
# Ports: RASA_PORT (5005, every address: the public channels), ACTION_PORT (5055), CONSOLE_PORT (5006), NLU_PORT
# (5007); the action server, NLU worker and console listen on 127.0.0.1 only (ACTION_INTERFACE, CONSOLE_INTERFACE
# move them). Secrets travel in the environment, never on a command line (`ps` shows those):
# - RASA_API_TOKEN (the HTTP API's token; generated and printed when unset);
# - the NLU worker's and the action server's tokens, made for each run;
# - LARKSPUR_SESSION_KEY signs the widget's sessions; LARKSPUR_CUSTOMER_TOKEN_KEY checks the shop's customer tokens
#   (the demo shop page signs with it). When unset, each is generated once into var/ (mode 600) and kept.
set -euo pipefail
cd "$(dirname "$0")/.."

RASA_PORT=${RASA_PORT:-5005}
ACTION_PORT=${ACTION_PORT:-5055}
CONSOLE_PORT=${CONSOLE_PORT:-5006}
NLU_PORT=${NLU_PORT:-5007}
ACTION_INTERFACE=${ACTION_INTERFACE:-127.0.0.1}
CONSOLE_INTERFACE=${CONSOLE_INTERFACE:-127.0.0.1}
fresh_token() { .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(32))'; }
if [ -z "${RASA_API_TOKEN:-}" ] && [ -z "${RASA_API_TOKEN_FILE:-}" ]; then
    RASA_API_TOKEN=$(fresh_token)
    token_note="generated for this run; set RASA_API_TOKEN to choose your own"
else
    RASA_API_TOKEN=${RASA_API_TOKEN:-$(cat "$RASA_API_TOKEN_FILE")}
    token_note="from RASA_API_TOKEN"
fi
export RASA_API_TOKEN
mkdir -p var

# A key kept in var/ (git ignores it) unless the environment names one.
kept_key() {
    local variable=$1 file=$2
    if [ -z "${!variable:-}" ] && [ -z "$(printenv "${variable}_FILE" || true)" ]; then
        [ -s "$file" ] || (umask 077; fresh_token > "$file")
        export "${variable}_FILE=$PWD/$file"
    fi
}
kept_key LARKSPUR_SESSION_KEY var/session.key
kept_key LARKSPUR_CUSTOMER_TOKEN_KEY var/customer-token.key
# The ticket webhook links to the console (its payload carries no conversation id).
export CONSOLE_PUBLIC_URL=${CONSOLE_PUBLIC_URL:-http://localhost:${CONSOLE_PORT}}
# The demo shop page's pretend sign-in (?email=...&name=...; console/shop.py). A real shop signs in its own pages.
export LARKSPUR_DEMO_SIGN_IN=${LARKSPUR_DEMO_SIGN_IN:-1}

# endpoints.yml plus the NLU worker and the action server's secret; Rasa fills in ${...} from the environment.
LARKSPUR_NLU_TOKEN=$(fresh_token)
LARKSPUR_ACTION_SECRET=$(fresh_token)
export LARKSPUR_NLU_TOKEN LARKSPUR_ACTION_SECRET
endpoints=var/endpoints.run.yml
action_host=$ACTION_INTERFACE
[ "$action_host" = 0.0.0.0 ] && action_host=127.0.0.1
sed "s#^  url: \"http://localhost:5055/webhook\"#  url: \"http://${action_host}:${ACTION_PORT}/webhook\"\n  headers:\n    X-Larkspur-Action-Secret: \${LARKSPUR_ACTION_SECRET}#" \
    endpoints.yml > "$endpoints"
printf '\nnlu:\n  url: "http://127.0.0.1:%s"\n  token: ${LARKSPUR_NLU_TOKEN}\n' "$NLU_PORT" >> "$endpoints"

# The demo's sample orders (the order database a demo works on; never a configured shop's backend).
.venv/bin/python -m tools.demo_orders

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

.venv/bin/python -m addons.action_server --interface "$ACTION_INTERFACE" --port "$ACTION_PORT" >var/actions.log 2>&1 &
pids+=($!)
.venv/bin/python -m addons.nlu_server --model models --port "$NLU_PORT" >var/nlu.log 2>&1 &
pids+=($!)
.venv/bin/python -m addons.rasa_server --enable-api --port "$RASA_PORT" \
    --endpoints "$endpoints" --credentials "$credentials" --model models >var/rasa.log 2>&1 &
pids+=($!)
RASA_URL="http://localhost:${RASA_PORT}" \
    .venv/bin/python -m console serve --host "$CONSOLE_INTERFACE" --port "$CONSOLE_PORT" >var/console.log 2>&1 &
pids+=($!)

echo "Starting the assistant (logs: var/rasa.log, var/nlu.log, var/actions.log, var/console.log)..."
.venv/bin/python -m tools.servers wait "http://localhost:${RASA_PORT}/" "http://${action_host}:${ACTION_PORT}/health" \
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
    Actions:        http://${action_host}:${ACTION_PORT}/webhook  (only with the run's secret; on ${ACTION_INTERFACE})
    NLU worker:     http://127.0.0.1:${NLU_PORT}/status  (parses messages for the Rasa server; on 127.0.0.1)
    Shop page:      http://localhost:${CONSOLE_PORT}/shop/  (the chat widget; ?email=priya.r@mailbox.example&name=Priya plays a signed-in customer)
    Agent console:  http://localhost:${CONSOLE_PORT}/  (${agent_note})
  Press Ctrl-C to stop.

MSG
wait -n "${pids[@]}"
