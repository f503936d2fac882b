"""Errors a use case raises for the person who asked; the message is shown to them as is."""


class UserFacingError(ValueError):
    pass


class NotAnIncident(UserFacingError):
    def __init__(self) -> None:
        super().__init__(
            "This channel is not an incident channel yet. Start recording it with `/incident start [sev1..sev4] TITLE`."
        )
