"""The classroom kit: role briefings, the class's predictions, turning points, forecasts of
what could happen from any month, and the debrief page. Nothing here imports pygame or the
game window: every artefact is built from the scenario, the model and saved games, so it
runs headless and in tests."""
