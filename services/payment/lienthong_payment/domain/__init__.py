"""Payment domain: entities and rules. Imports neither grpc nor SQLAlchemy."""
