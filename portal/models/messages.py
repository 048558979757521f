"""Private conversations between two connected members, and their messages."""

from django.db import models
from django.utils import timezone

from portal.models.users import User


class Conversation(models.Model):
    """The private thread between two members. `user_low` has the smaller id of the pair."""

    # Set on the rows of the conversations page by `portal.selectors.messages` (not columns).
    last_body: str
    last_sender_id: int | None
    unread: int
    peer: User | None

    user_low = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    user_high = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-last_message_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user_low", "user_high"], name="portal_conversation_pair"
            )
        ]

    def __str__(self) -> str:
        return f"Conversation {self.pk}"

    def other(self, user: User) -> User | None:
        return self.user_high if self.user_low_id == user.pk else self.user_low


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    # Empty once that member has deleted their account: their side is anonymised.
    sender = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    recipient = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField(max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["conversation", "created_at"]),
            # Unread messages to a member: in all (the header) and per conversation (the lists).
            models.Index(
                fields=["recipient", "conversation"],
                condition=models.Q(read_at__isnull=True),
                name="portal_message_unread",
            ),
        ]

    def __str__(self) -> str:
        return f"Message {self.pk} in conversation {self.conversation_id}"
