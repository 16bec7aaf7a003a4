# bash completion for litho. Enable it with, in ~/.bashrc:
#   source <(litho completion bash)
# litho lists the candidates itself (commands, flags, the pipeline's
# stages), asked with urfave/cli's protocol: the words before the cursor,
# the word at it when it starts with "-", then --generate-bash-completion.
# Unlike urfave's script it needs no bash-completion package.
_litho_complete() {
  local cur=${COMP_WORDS[COMP_CWORD]}
  # The request is the line as typed: COMP_WORDS splits at = and :
  # (COMP_WORDBREAKS), which would break --file=x and s3://b/p apart.
  local line=${COMP_LINE:0:COMP_POINT}
  local req=${line% *} last=${line##* }
  [[ $last == -* ]] && req+=" $last"
  local IFS=$'\n'
  COMPREPLY=($(compgen -W "$(eval "$req --generate-bash-completion" 2>/dev/null)" -- "$cur"))
}
complete -o bashdefault -o default -F _litho_complete litho
