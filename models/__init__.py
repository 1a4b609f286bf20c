"""Tables and schemas shared by the API and the workers, and the migrations that create them."""
