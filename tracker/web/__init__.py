"""The pages: participant, care team and account pages, their forms and their charts."""
