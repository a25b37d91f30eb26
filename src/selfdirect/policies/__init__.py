"""Resource allocation policies: the engine that reads them (``policies.engine``, pure Python).

Below both the assessment app (which asks the policy's questions) and the allocation app (which
works out budgets with it), so neither has to import the other for what they share.
"""
