"""Back-office screens of the organizations app, one module per screen family."""
