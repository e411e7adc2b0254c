"""One router per resource; :func:`keepwild.service.app.create_app` includes each once."""
