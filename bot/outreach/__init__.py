"""Outreach: deep links, QR codes and wallet cards that open the bot in a person's language."""
