"""The classroom kit: role briefings, the class's predictions, turning points (and, later,
the debrief and forecasts). Nothing here imports pygame or the game window: every artefact
is built from the scenario, the model and saved games, so it runs headless and in tests."""
