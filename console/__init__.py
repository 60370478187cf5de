"""The agent console: a small Sanic web app where people take over conversations the bot handed on.

Agents see the queue of open tickets, read the conversation, reply in it through Rasa's HTTP API, and hand
it back to the bot or resolve it; trainers see the same pages and the frequent-issues report. Start it with
`python -m console serve`.
"""
