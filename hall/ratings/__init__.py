"""好差评: ratings after every service, default ratings, figures."""
