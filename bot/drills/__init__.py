"""Game days: drills declared from scenarios, their scripted events and the drill report."""
