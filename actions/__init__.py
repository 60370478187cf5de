"""Custom actions of the Larkspur assistant: thin Rasa glue around the `customer_care` package."""
