"""Painting for the thread list and the transcript. Vendor text is untrusted: it is drawn
as plain text only (QPainter.drawText, QTextLayout), never through a rich-text path."""
