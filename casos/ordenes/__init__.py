"""Protection orders (órdenes de protección) and their legal deadlines."""
