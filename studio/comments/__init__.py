"""Live comments: what viewers write, from the platform bridges, Twitch chat and replay files.

- `studio.comments.message`: one message as it arrives (JSON) -> a clean, validated `Comment`,
  or a `MessageError` naming the field. Hostile input (markup, megabytes, broken UTF-8, control
  characters) never gets further than this.
- `studio.comments.moderation`: `Moderator.classify(comment) -> Verdict`: blocked words and
  users (hidden from screen, kept in the store and marked), intents (buy, price, size, stock,
  link...) and the product number a viewer asks about ("3号", "#3").
- `studio.comments.store`: `CommentStore`, one SQLite file per show session; every accepted
  message stored exactly once (platform + id), committed before it is acknowledged, queried by
  the GUI and the API, exported to CSV / JSON Lines.
- `studio.comments.ingest_api`: `CommentsApiServer`, the local HTTP/WebSocket API for platform
  bridges (micro-batched, bounded, acknowledged after the store returns), on its own thread.
- `studio.comments.api_process`: `CommentsApiProcess`, the same server in a child process, so
  that its network, JSON and validation work never holds the studio's GIL; only the store step
  comes back to the studio.
"""
