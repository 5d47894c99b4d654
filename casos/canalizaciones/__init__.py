"""Referrals between institutions (canalización) and their counter-referral."""
