"""RabbitMQ (AMQP 0-9-1) through pika: durable topology, confirmed publishes, acks after commit."""
