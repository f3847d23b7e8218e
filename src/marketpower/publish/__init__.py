"""Publishing: serialisation shared by the CLI and the web app, the static report, the dashboard."""
