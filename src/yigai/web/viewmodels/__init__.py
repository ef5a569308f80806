"""View models: what each page shows, computed from the services as plain data.

Page handlers call one function here (or a service), then render a template;
nothing here knows about HTTP or Jinja, so the functions are tested directly.
"""
