"""Files attached to a case (a scanned complaint, a medical report, the protection order),
encrypted under the case's own data key: crypto-shredding the case makes them unreadable
with everything else. See docs/DESIGN.md, "Attachments"."""
