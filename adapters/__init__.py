"""Transport adapters (REST, SOAP, SFTP, AMQP): each hands the hub raw bytes and metadata."""
